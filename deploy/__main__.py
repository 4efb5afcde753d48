"""Command line for the deploy tooling; the Makefile's deploy/package/destroy targets call it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from deploy.project import DeployError, check_stage, stand_ins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    package_parser = commands.add_parser("package", help="template + zip, offline")
    package_parser.add_argument("--stage", required=True)
    package_parser.add_argument("--out", type=Path, help="default: dist/<stage>")
    deploy_parser = commands.add_parser("deploy", help="data stack, then chalice deploy")
    deploy_parser.add_argument("--stage", required=True)
    deploy_parser.add_argument(
        "--alarm-email", help="subscribe this address to the stage's alarms (kept otherwise)"
    )
    destroy_parser = commands.add_parser("destroy", help="chalice delete, then the data stack")
    destroy_parser.add_argument("--stage", required=True)
    destroy_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    destroy_parser.add_argument("--allow-prod", action="store_true", help="allow a prod stage")
    args = parser.parse_args(argv)
    try:
        stage = check_stage(args.stage)
        region = os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        # This process reads the models' shape only; `make … STAGE=prod` exports STAGE to it,
        # and the models load the settings of whatever stage they find when imported.
        os.environ.update(stand_ins(stage, region))
        from deploy import aws, bundle
        from deploy.packaging import DIST_DIR, TEMPLATE_NAME, ZIP_NAME, package

        if args.command == "package":
            out_dir = args.out or DIST_DIR / stage
            package(stage, out_dir, region)
            print(f"Template: {out_dir / TEMPLATE_NAME}")
            return bundle.main([str(out_dir / ZIP_NAME)])
        if args.command == "deploy":
            aws.deploy(stage, alarm_email=args.alarm_email or None)
        else:
            aws.destroy(stage, assume_yes=args.yes, allow_prod=args.allow_prod)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
