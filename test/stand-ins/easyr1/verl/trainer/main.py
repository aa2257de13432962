"""A stand-in for EasyR1's entry point (`python3 -m verl.trainer.main config=FILE`) in vlthink's CPU dress rehearsal.

It trains nothing. It takes what vlthink wrote exactly as EasyR1 would and fails where EasyR1 would:
  - the config loaded as EasyR1's `main()` loads it (the structured PPOConfig() of the revision in
    VLTHINK_STANDIN_EASYR1 merged with the file, to_object, deep_post_init, missing paths are errors), through
    `check_config.py` beside that revision (VLTHINK_STANDIN_EASYR1_CHECK);
  - the train and validation parquet files read (prompt / answer / image keys of the config; one `<image>` per image;
    each image decodes), each problem rendered with the format prompt by jinja2 as EasyR1's dataset does;
  - the reward function loaded from `worker.reward.reward_function` (`file.py:name`) and called as that revision calls
    it (a batch of {response, response_length, ground_truth}, or per sample for `reward_type: function`) with
    `reward_function_kwargs`: through vlthink's shim, the real `vlthink reward-server` scores every rollout;
  - the rollouts are made up (`n` per prompt, a share of them carrying the ground truth that grows with the step), so
    the rewards have a course to follow; the losses are a fixed decay;
  - each step's metrics printed as EasyR1's console logger prints them from its Ray actor: `Step N` and a PyYAML dump
    of numpy scalars, every line behind a coloured `(Runner pid=N)` prefix;
  - the last step saved as EasyR1 saves it: `<save_checkpoint_path>/global_step_<N>/actor/` with the weights shard
    and `huggingface/` (config and tokenizer; `scripts/model_merger.py` adds the merged weights), and
    `latest_global_step.txt`.
"""
import importlib.util
import io
import json
import math
import os
import shutil
import subprocess
import sys
import time

import jinja2
import numpy as np
import pyarrow.parquet as pq
import yaml
from PIL import Image

PREFIX = f'\x1b[2m\x1b[36m(Runner pid={os.getpid()})\x1b[0m '


def say(text):
    for line in str(text).splitlines():
        print(PREFIX + line, flush=True)


def fail(message):
    print(f'[stand-in EasyR1] error: {message}', file=sys.stderr, flush=True)
    sys.exit(1)


def load_config(path):
    rev = os.environ.get('VLTHINK_STANDIN_EASYR1')
    checker = os.environ.get('VLTHINK_STANDIN_EASYR1_CHECK')
    if not rev or not checker:
        fail('set VLTHINK_STANDIN_EASYR1 (an EasyR1 revision folder) and VLTHINK_STANDIN_EASYR1_CHECK (check_config.py)')
    res = subprocess.run([sys.executable, checker, rev, path], capture_output=True, text=True)
    verdict = json.loads((res.stdout.strip().splitlines() or ['{}'])[-1])
    if not verdict.get('ok'):
        fail(f'{path} does not load: {verdict.get("error", res.stderr.strip())}')
    return verdict['resolved']


def read_problems(file, data, template):
    table = pq.read_table(file).to_pylist()
    problems = []
    for i, row in enumerate(table):
        prompt, answer, images = row[data['prompt_key']], row[data['answer_key']], row.get(data['image_key']) or []
        if prompt.count('<image>') != len(images):
            fail(f'{file} row {i}: {prompt.count("<image>")} <image> placeholders for {len(images)} images')
        for image in images:
            Image.open(io.BytesIO(image['bytes'])).convert('RGB')
        rendered = template.render(content=prompt) if template else prompt
        if prompt.strip() not in rendered:
            fail(f'{file} row {i}: the format prompt dropped the problem text')
        problems.append({'prompt': rendered, 'answer': str(answer)})
    return problems


def load_reward(reward):
    # EasyR1's RewardConfig.post_init has split `file.py:name` into reward_function and reward_function_name.
    path, name = reward['reward_function'], reward.get('reward_function_name') or 'main'
    spec = importlib.util.spec_from_file_location('reward_module', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, name)
    kwargs = reward.get('reward_function_kwargs') or {}
    reward_type = reward.get('reward_type') or getattr(module, 'REWARD_TYPE', 'batch')
    if reward_type == 'batch':
        return lambda inputs: fn(inputs, **kwargs)
    return lambda inputs: [fn(x['response'], x['ground_truth'], **kwargs) for x in inputs]


def main():
    args = dict(a.split('=', 1) for a in sys.argv[1:] if '=' in a)
    if 'config' not in args:
        fail('usage: python3 -m verl.trainer.main config=FILE')
    config = load_config(args['config'])
    say(json.dumps(config, indent=2, default=str))
    data, worker, trainer = config['data'], config['worker'], config['trainer']
    template = None
    if data.get('format_prompt'):
        with open(data['format_prompt']) as f:
            template = jinja2.Template(f.read())
    train = read_problems(data['train_files'], data, template)
    read_problems(data['val_files'], data, template)
    score = load_reward(worker['reward'])
    model = worker['actor']['model']['model_path']
    if not os.path.isfile(os.path.join(model, 'config.json')):
        fail(f'worker.actor.model.model_path {model} is not a model folder')

    batch = int(data['rollout_batch_size'])
    per_epoch = len(train) // batch  # EasyR1's train loader drops the last partial batch
    if per_epoch == 0:
        fail(f'{len(train)} training problems make no batch of rollout_batch_size {batch}')
    epochs = trainer.get('total_epochs') or trainer.get('total_episodes') or 1
    total = trainer.get('max_steps') or per_epoch * int(epochs)
    n = int(worker['rollout']['n'])
    delay = float(os.environ.get('VLTHINK_STANDIN_STEP_SECONDS', '0'))
    parent = os.getppid()
    for step in range(1, total + 1):
        if os.getppid() != parent:
            fail('the process that started this job is gone')  # a killed vlthink leaves no orphan training behind
        time.sleep(delay)
        start = ((step - 1) % per_epoch) * batch
        inputs = []
        right = math.ceil(n * step / (total + 1))
        for p in train[start:start + batch]:
            for j in range(n):
                answer = p['answer'] if j < right else f'not {p["answer"]}'
                response = f'<think>stand-in rollout {j} of step {step}</think> so <answer>{answer}</answer>'
                inputs.append({'response': response, 'response_length': len(response.split()), 'ground_truth': p['answer']})
        scores = score(inputs)
        metrics = {
            'actor': {
                'pg_loss': np.float32(0.05 / step),
                'kl_loss': np.float64(0.001 * step),
                'pg_clipfrac': np.float64(0.01),
                'lr': float(worker['actor']['optim']['lr']),
            },
            'response_length': {'mean': np.float64(np.mean([x['response_length'] for x in inputs]))},
            'reward': {k: np.float64(np.mean([s[k] for s in scores])) for k in scores[0]},
        }
        say(f'Step {step}\n' + yaml.dump(metrics, indent=2))

    actor = os.path.join(trainer['save_checkpoint_path'], f'global_step_{total}', 'actor')
    hf = os.path.join(actor, 'huggingface')
    os.makedirs(hf, exist_ok=True)
    for name in os.listdir(model):
        src = os.path.join(model, name)
        if not os.path.isfile(src):
            continue
        if name.endswith('.safetensors'):
            shutil.copyfile(src, os.path.join(actor, 'model_world_size_1_rank_0.safetensors'))
        elif name == 'config.json' or name.startswith('tokenizer') or name == 'generation_config.json':
            shutil.copyfile(src, os.path.join(hf, name))
    with open(os.path.join(trainer['save_checkpoint_path'], 'latest_global_step.txt'), 'w') as f:
        f.write(str(total))
    say(f'Saved checkpoint to {actor}')


if __name__ == '__main__':
    main()
