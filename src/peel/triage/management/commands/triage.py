from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peel.audit.actors import command
from peel.reports.models import Report
from peel.triage.actions import do_rescore_report
from peel.triage.examples import EXAMPLES_DIR, load_examples, run_examples
from peel.triage.rules import RuleSetError, parse_ruleset
from peel.triage.store import active_ruleset


class Command(BaseCommand):
    help = (
        "Triage rules. `peel triage check FILE` runs the example reports against a rule-set file "
        "and exits 1 if any gets the wrong grade (use it before proposing a version). "
        "`peel triage active` names the version in use. `peel triage rescore REFERENCE...` "
        "re-assesses reports now, auditing any change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["check", "active", "rescore"])
        parser.add_argument("args", nargs="*", help="check: a .toml file; rescore: references")
        parser.add_argument(
            "--examples", type=Path, default=EXAMPLES_DIR, help="check: a folder of examples"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "active":
            ruleset = active_ruleset()
            self.stdout.write(f"{ruleset.name} {ruleset.version} ({len(ruleset.rules)} rules)")
        elif command == "check":
            self._check(args, options["examples"])
        else:
            self._rescore(args)

    def _check(self, paths: tuple[str, ...], folder: Path) -> None:
        if len(paths) != 1:
            raise CommandError("Which rule set? `peel triage check FILE`")
        path = Path(paths[0])
        try:
            ruleset = parse_ruleset(path.read_text(), path.name)
        except (OSError, RuleSetError) as exc:
            raise CommandError(str(exc)) from exc
        results = run_examples(ruleset, load_examples(folder))
        for result in results:
            mark = "ok  " if result.passed else "FAIL"
            self.stdout.write(
                f"{mark} {result.example.name}: {result.grade} (expected {result.example.grade})"
            )
            for problem in result.problems:
                self.stdout.write(f"       {problem}")
        failed = sum(1 for r in results if not r.passed)
        summary = f"{len(results) - failed} of {len(results)} examples pass with {ruleset.name} {ruleset.version}."
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)

    def _rescore(self, references: tuple[str, ...]) -> None:
        if not references:
            raise CommandError("Which reports? `peel triage rescore REFERENCE...`")
        for reference in references:
            report = Report.objects.filter(reference=reference).first()
            if report is None:
                raise CommandError(f"No report {reference}.")
            assessment = do_rescore_report(
                command("triage rescore"), report, "Re-scored from the command line"
            )
            if assessment is None:
                self.stdout.write(f"{reference}: unchanged")
            else:
                self.stdout.write(f"{reference}: now {assessment.grade} ({assessment.score})")
