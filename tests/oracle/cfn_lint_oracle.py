"""The independent judge of `strata validate`: writes each strata stack spec
as a CloudFormation template and runs AWS's cfn-lint (pinned, in its own
virtualenv) on it.

    python cfn_lint_oracle.py <repo root> <spec.yaml>...

Prints one JSON object: spec path -> list of cfn-lint errors (rule id, line of
the *template*, message). Warnings and informational findings are left out:
the oracle asks only "would AWS reject this".

This translation is test-only and deliberately separate from strata's own
`strata export cloudformation` (src/export/): the oracle must translate the
mistakes that strata rejects, which the export (validating first) refuses,
and a judge should not share the code it judges. It is rougher: `${X.Attr}` becomes `Fn::GetAtt` when Attr is one of the
type's read-only properties (what CloudFormation exposes as attributes), else
`Ref` (a writable identifier such as a table's TableName is the type's Ref
value); strings with several references become `Fn::Sub`; `${env.Region}`,
`${env.AccountId}` are the pseudo parameters; `${env.Name}` and
`${stack.Name}` are template parameters; `Code: {Crate: ...}` is an S3
location; `Lifecycle.PreventDestroy` is `DeletionPolicy: Retain`.
"""
import json
import re
import sys
from pathlib import Path

import yaml
from cfnlint import api

REF = re.compile(r"\$\{([^}]*)\}")


def schema_of(root, type_name, cache={}):
    if type_name not in cache:
        path = root / "schemas" / "aws" / "resources" / (type_name.replace("::", "-") + ".json")
        cache[type_name] = json.loads(path.read_text()) if path.exists() else {}
    return cache[type_name]


def read_only(root, type_name):
    return {p.split("/")[2] for p in schema_of(root, type_name).get("readOnlyProperties", []) if p.count("/") == 2}


def sub_name(ref, types, root):
    """The Fn::Sub form of one strata reference."""
    head, _, attr = ref.partition(".")
    if head == "env":
        return {"Region": "AWS::Region", "AccountId": "AWS::AccountId", "Name": "EnvName"}.get(attr, "EnvName")
    if head == "stack":
        return "StackName"
    if head in types and attr and attr not in read_only(root, types[head]):
        return head
    return ref


def translate_string(s, types, root):
    refs = REF.findall(s)
    if not refs:
        return s
    if len(refs) == 1 and s == "${" + refs[0] + "}":
        name = sub_name(refs[0], types, root)
        if "." in name:
            return {"Fn::GetAtt": name.split(".", 1)}
        return {"Ref": name}
    return {"Fn::Sub": REF.sub(lambda m: "${" + sub_name(m.group(1), types, root) + "}", s)}


def translate(value, types, root):
    if isinstance(value, str):
        return translate_string(value, types, root)
    if isinstance(value, list):
        return [translate(v, types, root) for v in value]
    if isinstance(value, dict):
        return {k: translate(v, types, root) for k, v in value.items()}
    return value


def template_of(spec, root):
    resources = spec.get("Resources") or {}
    types = {name: r.get("Type") for name, r in resources.items() if isinstance(r, dict)}
    out = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": spec.get("Description", ""),
        "Parameters": {
            "EnvName": {"Type": "String", "Default": "local"},
            "StackName": {"Type": "String", "Default": str(spec.get("Stack", "stack"))},
        },
        "Resources": {},
    }
    for name, resource in resources.items():
        props = dict(resource.get("Properties") or {})
        code = props.get("Code")
        if resource.get("Type") == "AWS::Lambda::Function" and isinstance(code, dict) and "Crate" in code:
            props["Code"] = {"S3Bucket": "strata-artifacts", "S3Key": "lambda.zip"}
        entry = {"Type": resource.get("Type"), "Properties": translate(props, types, root)}
        if resource.get("DependsOn"):
            entry["DependsOn"] = resource["DependsOn"]
        if (resource.get("Lifecycle") or {}).get("PreventDestroy"):
            entry["DeletionPolicy"] = "Retain"
            entry["UpdateReplacePolicy"] = "Retain"
        out["Resources"][name] = entry
    outputs = spec.get("Outputs") or {}
    if outputs:
        out["Outputs"] = {n: {"Value": translate(o.get("Value"), types, root)} for n, o in outputs.items()}
    return out


def main():
    root = Path(sys.argv[1])
    results = {}
    config = api.ManualArgs(regions=["us-east-1"])
    for spec_path in sys.argv[2:]:
        spec = yaml.safe_load(Path(spec_path).read_text())
        template = template_of(spec, root)
        matches = api.lint(json.dumps(template, indent=1), config=config)
        results[spec_path] = [
            {"rule": m.rule.id, "message": m.message, "path": "/".join(str(p) for p in getattr(m, "path", []) or [])}
            for m in matches
            if m.rule.id.startswith("E")
        ]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
