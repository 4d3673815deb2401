#!/usr/bin/env python3
"""Run a composite GitHub action's steps here, as a runner would: each `run`
under `bash --noprofile --norc -eo pipefail`, its `env` with `${{ inputs.X }}`
filled in (the action's defaults, then KEY=VALUE arguments), GITHUB_ACTION_PATH,
RUNNER_TEMP, GITHUB_PATH (read back into PATH between steps) and
GITHUB_STEP_SUMMARY set.  Only what .github/actions/conformance uses is
supported; anything else is an error, not a silent skip.
  run_action.py ACTION_DIR WORK_DIR [INPUT=VALUE ...]"""
import os
import re
import subprocess
import sys

import yaml


def main():
    action_dir, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    spec = yaml.safe_load(open(os.path.join(action_dir, "action.yml")))
    if spec["runs"]["using"] != "composite":
        raise SystemExit("run_action: only composite actions")
    inputs = {k: str(v.get("default", "")) for k, v in spec.get("inputs", {}).items()}
    for arg in sys.argv[3:]:
        key, _, value = arg.partition("=")
        if key not in inputs:
            raise SystemExit(f"run_action: the action has no input '{key}'")
        inputs[key] = value
    for key, v in spec.get("inputs", {}).items():
        if v.get("required") and not inputs[key]:
            raise SystemExit(f"run_action: input '{key}' is required")

    def fill(text):
        def one(m):
            expr = m.group(1).strip()
            if not expr.startswith("inputs."):
                raise SystemExit(f"run_action: unsupported expression ${{{{ {expr} }}}}")
            return inputs[expr[len("inputs."):]]
        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    os.makedirs(os.path.join(work, "temp"), exist_ok=True)
    path_file = os.path.join(work, "github_path")
    summary = os.path.join(work, "step_summary.md")
    open(path_file, "w").close()
    open(summary, "w").close()
    for n, step in enumerate(spec["runs"]["steps"]):
        if set(step) - {"name", "shell", "env", "run"} or step.get("shell") != "bash":
            raise SystemExit(f"run_action: step {n} uses more than name/shell: bash/env/run")
        env = dict(os.environ)
        added = [p.strip() for p in open(path_file) if p.strip()]
        env["PATH"] = os.pathsep.join(added[::-1] + [env["PATH"]])
        env.update(GITHUB_ACTION_PATH=action_dir, RUNNER_TEMP=os.path.join(work, "temp"),
                   GITHUB_PATH=path_file, GITHUB_STEP_SUMMARY=summary)
        env.update({k: fill(v) for k, v in step.get("env", {}).items()})
        if "${{" in step["run"]:
            raise SystemExit(f"run_action: step {n} has an expression in its script; use env")
        print(f"run_action: step '{step.get('name', n)}'", flush=True)
        rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                            env=env, cwd=work).returncode
        if rc != 0:
            print(f"run_action: step '{step.get('name', n)}' failed with {rc}", flush=True)
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
