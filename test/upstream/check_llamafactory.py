"""Check a LLaMA-Factory training YAML written by vlthink against LLaMA-Factory's own definitions (vlthink's test helper).

usage: check_llamafactory.py LLAMAFACTORY_REV_DIR TRANSFORMERS_PKG_DIR CONFIG.yaml
prints one JSON line {"ok": true, "keys": N} or {"ok": false, "errors": [...]}; exit 0 / 1.

The YAML is read with PyYAML's safe_load, as LLaMA-Factory v0.9.3's `read_args` does (YAML 1.1: a bare `no` is False).
Every key must be a field of LLaMA-Factory's argument dataclasses (`src/llamafactory/hparams/*_args.py`) or of
transformers' Seq2SeqTrainingArguments, and each value of that field's type; an enum-typed field (save strategy, LR
scheduler, ...) must hold one of the enum's values; `template` must be a registered template name. The dataclasses
are read from their source with `ast` (importing them needs torch, datasets and GPU-side packages), so this checks
what their parser would accept, field by field, without running it.
"""
import ast
import json
import os
import sys

import yaml

lf_dir, tf_dir, cfg_path = sys.argv[1], sys.argv[2], sys.argv[3]


def dataclass_fields(path, skip=()):
    """field name -> annotation source, for every class in a file (dataclass fields are annotated assignments)."""
    tree = ast.parse(open(path).read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in skip:
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    out[item.target.id] = ast.unparse(item.annotation)
    return out


def enums(path):
    """enum class name -> its string values (class X(ExplicitEnum): A = "a")."""
    tree = ast.parse(open(path).read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith('Enum') for b in node.bases):
            values = [
                item.value.value
                for item in node.body
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str)
            ]
            out[node.name] = values
    return out


hparams = os.path.join(lf_dir, 'src/llamafactory/hparams')
fields = {}
for name in sorted(os.listdir(hparams)):
    if name.endswith('_args.py'):
        fields.update(dataclass_fields(os.path.join(hparams, name)))
fields.update(dataclass_fields(os.path.join(tf_dir, 'training_args.py')))
fields.update(dataclass_fields(os.path.join(tf_dir, 'training_args_seq2seq.py')))
known_enums = {}
for rel in ('trainer_utils.py', 'training_args.py', 'debug_utils.py'):
    if os.path.exists(os.path.join(tf_dir, rel)):
        known_enums.update(enums(os.path.join(tf_dir, rel)))
known_enums.update(enums(os.path.join(hparams, '..', 'extras', 'constants.py')) if os.path.exists(os.path.join(hparams, '..', 'extras', 'constants.py')) else {})
templates = set(open(os.path.join(lf_dir, 'template-names.txt')).read().split())


def type_ok(value, annotation):
    """Whether a YAML value fits a dataclass annotation (Optional / Union / Literal / scalars / enums / containers)."""
    node = ast.parse(annotation, mode='eval').body
    return fits(value, node)


def fits(value, node):
    text = ast.unparse(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted forward reference
        return fits(value, ast.parse(node.value, mode='eval').body)
    if isinstance(node, ast.Subscript):
        head = ast.unparse(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in ('Optional', 'typing.Optional'):
            return value is None or fits(value, args[0])
        if head in ('Union', 'typing.Union'):
            return any(fits(value, a) for a in args)
        if head in ('Literal', 'typing.Literal'):
            return value in [a.value for a in args if isinstance(a, ast.Constant)]
        if head in ('list', 'List', 'tuple', 'Tuple'):
            return isinstance(value, (list, tuple))
        if head in ('dict', 'Dict'):
            return isinstance(value, dict)
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return fits(value, node.left) or fits(value, node.right)
    if text == 'None':
        return value is None
    if text == 'bool':
        return isinstance(value, bool)
    if text == 'int':
        return isinstance(value, int) and not isinstance(value, bool)
    if text == 'float':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if text == 'str':
        return isinstance(value, str)
    if text in ('dict', 'list'):
        return isinstance(value, (dict, list))
    if text in known_enums:
        return isinstance(value, str) and value in known_enums[text]
    return True  # a type this check does not model (a class of objects): no verdict


config = yaml.safe_load(open(cfg_path).read())
errors = []
if not isinstance(config, dict):
    errors.append('the YAML is not a mapping')
    config = {}
for key, value in config.items():
    if key not in fields:
        errors.append(f'{key}: not a field of LLaMA-Factory or Seq2SeqTrainingArguments')
    elif not type_ok(value, fields[key]):
        errors.append(f'{key}: {value!r} (loaded by PyYAML as {type(value).__name__}) is not a {fields[key]}')
if 'template' in config and config['template'] not in templates:
    errors.append(f"template: {config['template']!r} is not a registered template")
if errors:
    print(json.dumps({'ok': False, 'errors': errors}))
    sys.exit(1)
print(json.dumps({'ok': True, 'keys': len(config)}))
