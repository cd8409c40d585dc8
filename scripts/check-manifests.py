#!/usr/bin/python3
"""Checks Kubernetes manifests offline against the API's object model.

    check-manifests.py FILE_OR_DIR...

Every document must be a known kind whose fields all exist in the Kubernetes API, with the right
shapes (object, list, map, scalar) and the required fields present. The model comes from the
Debian package python3-kubernetes (the generated client's classes: attribute_map,
openapi_types, client-side validation). Prints one line per problem; exits 1 if there is one.
"""
import re
import sys
from pathlib import Path

import kubernetes.client as k8s
import yaml

PRIMITIVES = {"str": (str,), "int": (int,), "bool": (bool,), "float": (int, float),
              "object": (str, int, float, dict, list), "datetime": (str,), "date": (str,)}


def model_for(api_version, kind):
    version = api_version.split("/")[-1]
    return getattr(k8s, version[0].upper() + version[1:] + kind, None)


def walk(value, type_name, path, problems):
    """Checks value against an openapi type name such as 'V1PodSpec', 'list[V1Container]', 'dict(str, str)'."""
    if value is None:
        return
    match = re.fullmatch(r"list\[(.+)\]", type_name)
    if match:
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            walk(item, match.group(1), f"{path}[{i}]", problems)
        return
    match = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if match:
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map")
            return
        for key, item in value.items():
            walk(item, match.group(1), f"{path}.{key}", problems)
        return
    if type_name in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[type_name]) or (type_name == "int" and isinstance(value, bool)):
            problems.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
        return
    model = getattr(k8s, type_name)
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({type_name})")
        return
    fields = {json_key: attr for attr, json_key in model.attribute_map.items()}
    for key, item in value.items():
        if key not in fields:
            problems.append(f"{path}.{key}: no such field in {type_name}")
            continue
        walk(item, model.openapi_types[fields[key]], f"{path}.{key}", problems)


def check(doc, where):
    problems = []
    model = model_for(doc.get("apiVersion", ""), doc.get("kind", ""))
    if model is None:
        return [f"{where}: unknown kind {doc.get('apiVersion')}/{doc.get('kind')}"]
    name = f"{where} {doc['kind']}/{doc.get('metadata', {}).get('name')}"
    walk(doc, model.__name__, name, problems)
    if not problems:
        try:  # required fields and enum checks of the generated client
            k8s.ApiClient()._ApiClient__deserialize(doc, model.__name__)
        except (ValueError, TypeError) as error:
            problems.append(f"{name}: {error}")
    return problems


def main(paths):
    files = []
    for arg in paths:
        path = Path(arg)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    problems, count = [], 0
    for file in files:
        for doc in yaml.safe_load_all(file.read_text()):
            if not doc or doc.get("kind") == "Kustomization":
                continue
            count += 1
            problems += check(doc, file.name)
    for problem in problems:
        print(problem)
    print(f"{count} objects checked, {len(problems)} problems")
    return 1 if problems or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
