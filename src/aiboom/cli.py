"""The ``aiboom`` command: build the book, execute one notebook, list and compare scenarios."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from aiboom.errors import InputError


def _cmd_build(args: argparse.Namespace) -> int:
    from aiboom.build import build

    build(args.scenario, args.out, force=args.force, only=args.only, pdf=args.pdf)
    return 0


def _cmd_execute(args: argparse.Namespace) -> int:
    from aiboom import paths
    from aiboom.build import execute_notebook
    from aiboom.scenarios import load_scenario

    scenario = load_scenario(args.scenario)
    template = Path(args.notebook)
    if not template.exists():
        candidates = sorted(paths.NOTEBOOKS.glob(f"*{template.stem}*.md"))
        if len(candidates) != 1:
            raise InputError.single(args.notebook, "no such notebook template; choose one of: "
                                    + ", ".join(p.name for p in sorted(
                                        paths.NOTEBOOKS.glob("*.md"))))
        template = candidates[0]
    out = Path(args.out) if args.out else paths.BOOK / "generated" / scenario.name
    ex = execute_notebook(template, scenario, out, force=True)
    print(f"{ex.name}: executed in {ex.seconds:.1f} s -> {ex.path}")
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from aiboom.scenarios import list_scenarios, load_scenarios

    for s in load_scenarios(list_scenarios()):
        origin = "shipped" if s.shipped else "own"
        print(f"{s.name:<14} {Path(s.path).name:<22} {origin:<8} {len(s.overrides):>3} "
              f"overrides  {s.title}")
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    from aiboom.data import check_all, rehash

    if args.rehash:
        for name in rehash():
            print(f"updated sha256 in data/{name}")
    check_all()
    print("data: every table and the registry are valid")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from aiboom.analysis.checks import text_report
    from aiboom.scenarios import load_scenario
    from aiboom.validation import run_checks

    results = run_checks(load_scenario(args.scenario).registry)
    print(text_report(results))
    return 0 if all(r.as_expected for r in results) else 1


def _cmd_compare(args: argparse.Namespace) -> int:
    from aiboom.compare import scenario_manifest, write_comparison
    from aiboom.outputs import claim_folder
    from aiboom.scenarios import load_scenarios

    claim_folder(args.out)  # refuse a folder aiboom may not replace before any work
    load_scenarios(args.scenarios)  # every file valid and no two with one name, before building
    manifests = [scenario_manifest(path) for path in args.scenarios]
    out = write_comparison(manifests, args.out)
    print(f"comparison written to {out}/index.html, comparison.csv, comparison.json")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from aiboom.montecarlo import scenario_inputs
    from aiboom.scenarios import load_scenario
    from aiboom.sweep import output_files, parse_axis, sweep_to_files

    output_files(args.out)  # refuse files aiboom may not overwrite before any work
    scenario = load_scenario(args.scenario)
    registry, accelerator = scenario_inputs(scenario)
    axes = [parse_axis(spec, registry) for spec in args.param]
    if not axes and not args.samples:
        raise InputError.single("--param", "give at least one --param or --samples N")
    files, summary = sweep_to_files(
        registry, axes, args.out, n_samples=args.samples, seed=scenario.seed,
        backend=args.backend or scenario.backend, chunk_size=args.chunk_size,
        scheduler=args.scheduler, progress=not args.quiet, accelerator=accelerator,
        csv=args.csv, provenance={"scenario": scenario.name, "params": args.param,
                                  "samples": args.samples, "seed": scenario.seed})
    print(f"sweep written to {' and '.join(str(f) for f in files)}")
    print(summary.head(20).to_string())
    return 0


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``, else one clear error line."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aiboom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="execute the notebooks and build the site for a scenario")
    p.add_argument("--scenario", type=Path, default=None,
                   help="scenario YAML (default: data/scenarios/baseline.yaml)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: _build/html, or _build/html-<name>)")
    p.add_argument("--force", action="store_true",
                   help="re-execute every notebook and render the site again, even when "
                   "nothing changed (without it, cached notebooks are kept and an up-to-date "
                   "site is left as it is)")
    p.add_argument("--only", nargs="+", metavar="NAME", default=None,
                   help="preview: build only the notebooks whose names start with NAME")
    p.add_argument("--pdf", type=Path, default=None, metavar="FILE",
                   help="also print the whole book to FILE (and serve it from the site)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("execute", help="execute one notebook template with a scenario")
    p.add_argument("notebook", help="path or name of a template in notebooks/")
    p.add_argument("--scenario", type=Path, default=None)
    p.add_argument("--out", type=Path, default=None)
    p.set_defaults(func=_cmd_execute)

    p = sub.add_parser("scenarios", help="list the shipped scenarios")
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser("compare", help="headline results of several scenarios side by side")
    p.add_argument("scenarios", nargs="+", type=Path, help="scenario YAML files")
    p.add_argument("--out", type=Path, default=Path("_build/compare"))
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("sweep", help="evaluate the per-query model over a grid or Monte Carlo")
    p.add_argument("--param", action="append", default=[], metavar="ID=START:STOP:N[:log]",
                   help="swept registry parameter (repeatable); or ID=v1,v2,...")
    p.add_argument("--samples", type=_whole_number(0), default=0,
                   help="Monte Carlo samples per grid point (0: central values only); the "
                   "result must fit in memory (AIBOOM_MEMORY_LIMIT, default half the RAM)")
    p.add_argument("--scenario", type=Path, default=None)
    p.add_argument("--out", type=Path, default=Path("_build/sweep.parquet"))
    p.add_argument("--chunk-size", type=_whole_number(1), default=2**18,
                   help="rows per task (default 262144)")
    p.add_argument("--backend", choices=["auto", "numpy", "cupy"], default=None)
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask scheduler (tcp://host:8786), which must answer "
                   "within 5 s; default: run locally")
    p.add_argument("--csv", action="store_true",
                   help="also write the rows as CSV beside the Parquet file (large)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("validate", help="check the model against published figures it was not "
                       "fitted to (exit 1 when one is outside its tolerance)")
    p.add_argument("--scenario", type=Path, default=None,
                   help="scenario YAML (default: data/scenarios/baseline.yaml)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("data", help="validate data/ (and with --rehash record new checksums)")
    p.add_argument("--rehash", action="store_true")
    p.set_defaults(func=_cmd_data)
    return parser


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    from aiboom.build import BuildError

    args = build_parser().parse_args(argv)
    # SIGTERM and SIGHUP unwind like Ctrl-C: staging folders are removed and the renderer's
    # process group is killed on the way out (aiboom.build._render).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    try:
        return args.func(args)
    except InputError as exc:
        n = len(exc.problems)
        print(f"aiboom: invalid input ({n} problem{'s' * (n != 1)}):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"aiboom: build failed: {exc}", file=sys.stderr)
        print("aiboom: the previous site was left untouched", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
