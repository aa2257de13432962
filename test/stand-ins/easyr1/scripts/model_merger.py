"""A stand-in for EasyR1's `scripts/model_merger.py --local_dir <global_step_N/actor>` (vlthink's CPU dress rehearsal):
merges the actor's weight shards (`model_world_size_<W>_rank_<R>.*`) into `<local_dir>/huggingface/`, beside the
config the trainer saved there. The stand-in trainer saves one shard, so merging is a copy."""
import argparse
import os
import re
import shutil
import sys

parser = argparse.ArgumentParser()
parser.add_argument('--local_dir', required=True)
args = parser.parse_args()
shards = sorted(n for n in os.listdir(args.local_dir) if re.match(r'model_world_size_\d+_rank_\d+\.', n))
if not shards:
    sys.exit(f'no model_world_size_*_rank_* shards in {args.local_dir}')
hf = os.path.join(args.local_dir, 'huggingface')
if not os.path.isfile(os.path.join(hf, 'config.json')):
    sys.exit(f'{hf} has no config.json (the trainer saves it with each checkpoint)')
if len(shards) != 1:
    sys.exit(f'the stand-in merges one shard, found {len(shards)}')
shutil.copyfile(os.path.join(args.local_dir, shards[0]), os.path.join(hf, 'model.safetensors'))
print(f'Saving model to {hf}', flush=True)
