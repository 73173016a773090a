"""``stac-xl``: every ribbon action as a subcommand that works on a workbook file.

Thin by design: parse the options, call one library function, turn a StacError into one
line on stderr and its exit code. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from stac_xl import __version__
from stac_xl.errors import ConfigError, StacError, ValidationFailed, WorkbookError

if TYPE_CHECKING:
    from stac_xl.servicetrade.client import ServiceTradeClient
    from stac_xl.servicetrade.clock import Clock
    from stac_xl.settings import Settings

Command = Callable[[argparse.Namespace], int]

# What ``main`` returns for failures that are not a StacError (each StacError carries its own).
EXIT_MACHINE = 1       # a file, folder or port the computer refused, outside any action's own checks
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it


def _cmd_new(args: argparse.Namespace) -> int:
    from stac_xl.book.file import FileWorkbook
    from stac_xl.presets import get_preset, load_preset

    path = Path(args.book)
    # Everything that can be refused is checked before the file exists: a typo creates nothing.
    preset = get_preset(args.preset) if args.preset else None
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder; give the new workbook a file name ending in .xlsx.")
    with _book_lock(args, "new", creating=True):  # two news of one name: the second sees the first's
        if path.exists() and not args.force:
            raise WorkbookError(f"{path} already exists; choose another name, or add --force to replace it.")
        book = FileWorkbook.create(path, overwrite=args.force)
        if preset:
            load_preset(book, preset.name)
        book.save()
    print(f"Created {args.book}" + (f" with the {args.preset} preset." if args.preset else "."))
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from stac_xl.actions.fetch import fetch_invoices
    from stac_xl.book.file import FileWorkbook

    first, last = _day_range(args)
    with _book_lock(args, "fetch"):
        book = FileWorkbook.open(Path(args.book))
        # No credentials here: fetch finds the ones bound to the address it uses.
        result = fetch_invoices(book, first=first, last=last, base_url=args.base_url, clock=args.clock,
                                replace=args.replace)
    print(result.summary())
    print(f"Wrote the Invoices sheet of {args.book}.")
    return 0


def _day_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """--from/--to as dates; None where omitted (fetch then uses Days to fetch up to today)."""
    from stac_xl.servicetrade.daterange import parse_day

    first = parse_day(args.date_from, option="--from") if args.date_from else None
    last = parse_day(args.date_to, option="--to") if args.date_to else None
    return first, last


def _book_lock(args: argparse.Namespace, command: str, *, creating: bool = False) -> contextlib.AbstractContextManager[None]:
    """The lock on ``args.book`` for a command that writes it, waiting a little (and saying
    so on stderr) while another holds it; none again inside ``run``, which holds it for all
    its steps (``args.lock_held``)."""
    from stac_xl.book.lock import workbook_lock

    if getattr(args, "lock_held", False):
        return contextlib.nullcontext()
    return workbook_lock(Path(args.book), command=f"stac-xl {command}", creating=creating,
                         on_wait=lambda sentence: print(f"stac-xl: {sentence}", file=sys.stderr, flush=True))


def _cmd_preview(args: argparse.Namespace) -> int:
    from stac_xl.actions.preview import preview
    from stac_xl.book.export_sheet import problem_cell
    from stac_xl.book.file import FileWorkbook
    from stac_xl.problems import grouped_lines

    with _book_lock(args, "preview"):
        result = preview(FileWorkbook.open(Path(args.book)), reexport=getattr(args, "reexport", False))
    print(result.summary())
    # the first problems, those of one cause as one line, each naming its cell; then how many more
    for line in grouped_lines(result.problems, problem_cell, at_most=args.show, severity=True):
        print(f"  {line}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from stac_xl.actions.export import export
    from stac_xl.book.file import FileWorkbook
    from stac_xl.book.lock import remove_stray_saves

    book_path = Path(args.book)
    with _book_lock(args, "export"):
        remove_stray_saves(book_path)
        result = export(FileWorkbook.open(book_path), out=Path(args.out) if args.out else None,
                        book_folder=book_path.resolve().parent, reexport=getattr(args, "reexport", False))
    print(result.summary())
    print(result.path)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """Fetch + Preview + Export in one go, for scheduled runs; the book is locked once for
    all three, so no other command slips in between."""
    with _book_lock(args, "run"):
        args.lock_held = True
        _cmd_fetch(args)
        _cmd_preview(args)
        try:
            return _cmd_export(args)
        except StacError as exc:
            # Nobody watches a scheduled run: the Log sheet must say why no file came out.
            _log_refused_export(Path(args.book), exc)
            raise


def _log_refused_export(book_path: Path, refusal: StacError) -> None:
    """A row on *Log* saying the export was refused and why; the refusal stays the error shown."""
    from stac_xl.book.file import FileWorkbook
    from stac_xl.book.log import append_log

    try:
        book = FileWorkbook.open(book_path)
        append_log(book, action="export refused", note=str(refusal))
        book.save()
    except StacError:
        pass  # a book that cannot be opened or saved cannot hold the row; the refusal is still printed


def _cmd_confirm(args: argparse.Namespace) -> int:
    from stac_xl.actions.confirm import confirm
    from stac_xl.book.file import FileWorkbook

    book_path = Path(args.book)
    with _book_lock(args, "confirm"):
        result = confirm(FileWorkbook.open(book_path), client_factory=_status_client(args), batch_id=args.batch,
                         failed=args.failed)
    print(result.summary())
    return 0


def _status_client(args: argparse.Namespace) -> Callable[[Settings], ServiceTradeClient]:
    """A factory of the ServiceTrade client Confirm writes statuses with: --base-url, then
    STAC_BASE_URL, then Settings, with the credentials bound to that address."""
    def make(settings: Settings) -> ServiceTradeClient:
        from stac_xl.actions.fetch import resolve_base_url
        from stac_xl.servicetrade.client import ServiceTradeClient, check_base_url
        from stac_xl.servicetrade.credentials import resolve_credentials

        url, origin = resolve_base_url(args.base_url, settings)
        url = check_base_url(url)
        return ServiceTradeClient(url, resolve_credentials(url, origin=origin), concurrency=settings.concurrency,
                                  clock=args.clock)
    return make


def _cmd_undo(args: argparse.Namespace) -> int:
    from stac_xl.actions.undo import undo
    from stac_xl.book.file import FileWorkbook

    book_path = Path(args.book)
    with _book_lock(args, "undo"):
        book = FileWorkbook.open(book_path)
        if args.batch is None:
            raise ConfigError(f"Name the batch to undo: stac-xl undo {args.book} --batch N (stac-xl batches lists them).")
        result = undo(book, batch_id=args.batch, force=args.force)
    print(result.summary())
    return 0


def _cmd_batches(args: argparse.Namespace) -> int:
    from stac_xl.actions.ledger.listing import list_batches
    from stac_xl.book.file import FileWorkbook

    book_path = Path(args.book)
    with _book_lock(args, "batches"):
        found = list_batches(FileWorkbook.open(book_path))
    print(f"Export ledger {found.where}: {len(found.batches)} batches.")
    for line in found.lines() if found.batches else []:
        print(line)
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from stac_xl.presets import get_preset, preset_names

    for name in preset_names():
        preset = get_preset(name)
        print(f"{name:22} {preset.title} — {preset.confidence}")
    return 0


def _cmd_load_preset(args: argparse.Namespace) -> int:
    from stac_xl.book.file import FileWorkbook
    from stac_xl.presets import load_preset

    with _book_lock(args, "load-preset"):
        book = FileWorkbook.open(Path(args.book))
        loaded = load_preset(book, args.name, replace_lookups=args.replace_lookups)
        book.save()
    print(loaded.summary())
    return 0


def _cmd_addin_build(args: argparse.Namespace) -> int:
    from stac_xl.addin.build import build_addin

    kwargs = {"interpreter_win": args.interpreter} if args.interpreter else {}
    try:
        path = build_addin(Path(args.out), sources_dir=Path(args.sources) if args.sources else None, **kwargs)
    except FileNotFoundError as exc:
        raise ConfigError(f"{exc}; pass --sources with the workbook/ folder of the stac_xl download.") from None
    except OSError as exc:
        raise ConfigError(
            f"The add-in could not be written into {args.out} ({exc.strerror or exc}); choose another folder with --out."
        ) from None
    print(f"Built {path}")
    return 0


def _cmd_login(args: argparse.Namespace) -> int:
    from stac_xl.servicetrade.credentials import ENV_PASSWORD, ENV_USERNAME, store_credentials

    if not sys.stdin.isatty():
        # getpass would fall back to echoing the password from a pipe, with a warning: refuse instead.
        raise ConfigError(
            f"stac-xl login asks for the password, so run it in a terminal window; "
            f"for scheduled runs set {ENV_USERNAME} and {ENV_PASSWORD} instead."
        )
    base_url = _sign_in_address(args.base_url)
    username, password = _ask_sign_in(args.username)
    host = store_credentials(username, password, base_url=base_url)
    print(f"Stored the password for {username} at {host} in the system credential store.")
    return 0


def _sign_in_address(option: str | None) -> str:
    """The address a sign-in is for: --base-url (checked, and said when it is not ServiceTrade's)
    or ServiceTrade's own."""
    from stac_xl.servicetrade.client import check_base_url
    from stac_xl.servicetrade.credentials import SERVICETRADE_BASE_URL, SERVICETRADE_HOST, host_of

    base_url = check_base_url(option or SERVICETRADE_BASE_URL)
    if host_of(base_url) != SERVICETRADE_HOST:
        print(f"Signing in to {host_of(base_url)}, which is not ServiceTrade's address.")
    return base_url


def _ask_sign_in(username: str | None) -> tuple[str, str]:
    """The username (unless given) and password typed at the terminal; Ctrl+D is a ConfigError."""
    import getpass

    try:
        username = username or input("ServiceTrade username: ").strip()
        return username, getpass.getpass("ServiceTrade password: ")
    except EOFError:
        raise ConfigError("Sign-in stopped before a username and password were typed; run stac-xl login again.") from None


def _cmd_logout(args: argparse.Namespace) -> int:
    from stac_xl.servicetrade.client import check_base_url
    from stac_xl.servicetrade.credentials import SERVICETRADE_BASE_URL, forget_credentials, host_of

    base_url = check_base_url(args.base_url or SERVICETRADE_BASE_URL)
    forget_credentials(base_url=base_url)
    print(f"Removed the stored ServiceTrade credentials for {host_of(base_url)}.")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from stac_xl.sandbox import FaultConfig, serve

    try:
        faults = FaultConfig(
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            rate_limit_every=args.rate_limit_every,
            retry_after_s=args.retry_after,
            expire_session_every=args.expire_session_every,
            malformed_rate=args.malformed_rate,
            items_in_list=args.items_in_list,
            claim_total_pages=args.claim_total_pages,
            never_answer=args.never_answer,
            silent_after_headers=args.silent_after_headers,
            redirect_auth_to=args.redirect_auth_to,
            grow_between_pages=args.grow_between_pages,
            shrink_between_pages=args.shrink_between_pages,
            seed=args.seed,
        )
    except ValueError as exc:
        raise ConfigError(f"Sandbox switches: {exc}") from None
    try:
        serve(port=args.port, invoices=args.invoices, seed=args.seed, faults=faults)
    except OSError as exc:  # only binding the port can fail this way: the port is taken or reserved
        raise ConfigError(
            f"The sandbox cannot listen on port {args.port} ({exc.strerror or exc}); "
            "choose another with --port, or --port 0 for any free one."
        ) from None
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from stac_xl.demo import run_demo

    run_demo(Path(args.out), invoices=args.invoices, seed=args.seed, echo=print)
    return 0


def _port(text: str) -> int:
    """A TCP port number for --port (0 = any free one)."""
    value = _whole_number(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use a number from 0 to 65535")
    return value


def _whole_number(text: str) -> int:
    """A count for options such as --show and --invoices: 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one sentence like every other error (usage is in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(ConfigError.exit_code, f"stac-xl: {message}; see '{self.prog} --help'.\n")


def _fetch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first created date (default: Days to fetch before today)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last created date (default: --from)")
    p.add_argument("--base-url", help="ServiceTrade API address (default: STAC_BASE_URL, then Settings)")
    p.add_argument("--replace", action="store_true",
                   help="let a fetch that finds no invoices empty an Invoices sheet of invoices not exported yet")


def _reexport_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reexport", action="store_true",
                   help="include invoices already exported (recorded as a re-export; default: left out)")


def _out_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="folder for the file (default: Output folder setting, else the workbook's folder)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; the README's reference is checked against this."""
    parser = _Parser(
        prog="stac-xl",
        description="ServiceTrade invoices into your accounting system's import file, through an Excel workbook.",
    )
    parser.add_argument("--version", action="version", version=f"stac-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("new", help="create a STAC workbook")
    p.add_argument("book", help="path of the new workbook (.xlsx)")
    p.add_argument("--preset", help="load a target profile into Settings, Mapping and Lookups")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=_cmd_new)

    p = sub.add_parser("fetch", help="fetch invoices from ServiceTrade onto the Invoices sheet")
    p.add_argument("book", help="the STAC workbook")
    _fetch_options(p)
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("preview", help="map the Invoices sheet onto the Export sheet, marking every problem")
    p.add_argument("book", help="the STAC workbook")
    _reexport_option(p)
    p.add_argument("--show", type=_whole_number, default=20, help="problems to list here (all are on the sheet)")
    p.set_defaults(func=_cmd_preview)

    p = sub.add_parser("export", help="validate the Export sheet and write the import file")
    p.add_argument("book", help="the STAC workbook")
    _out_option(p)
    _reexport_option(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("run", help="fetch, preview and export in one go (for scheduled runs)")
    p.add_argument("book", help="the STAC workbook")
    _fetch_options(p)
    _out_option(p)
    p.add_argument("--show", type=_whole_number, default=20, help=argparse.SUPPRESS)
    _reexport_option(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("confirm", help="say the import into the accounting system worked (or, with --failed, did not)")
    p.add_argument("book", help="the STAC workbook")
    p.add_argument("--batch", type=_whole_number, help="the batch (default: this workbook's latest exported one)")
    p.add_argument("--failed", metavar="COMMENT", help="the import did not work: void the batch, say why")
    p.add_argument("--base-url", help="ServiceTrade API address (default: STAC_BASE_URL, then Settings)")
    p.set_defaults(func=_cmd_confirm)

    p = sub.add_parser("undo", help="void an exported batch so its invoices can be exported again")
    p.add_argument("book", help="the STAC workbook")
    p.add_argument("--batch", type=_whole_number, help="the batch to void (stac-xl batches lists them)")
    p.add_argument("--force", action="store_true", help="void a confirmed batch too (the books keep it)")
    p.set_defaults(func=_cmd_undo)

    p = sub.add_parser("batches", help="list the export ledger's batches")
    p.add_argument("book", help="the STAC workbook (its Ledger setting names the ledger)")
    p.set_defaults(func=_cmd_batches)

    p = sub.add_parser("presets", help="list the target profiles (accounting systems) stac_xl ships")
    p.set_defaults(func=_cmd_presets)

    p = sub.add_parser("load-preset", help="load a target profile into Settings, Mapping and Lookups")
    p.add_argument("book", help="the STAC workbook")
    p.add_argument("name", help="a name from `stac-xl presets`")
    p.add_argument("--replace-lookups", action="store_true",
                   help="replace the whole Lookups sheet with the preset's sample rows (default: your rows are kept)")
    p.set_defaults(func=_cmd_load_preset)

    p = sub.add_parser("addin", help="the Excel add-in")
    addin = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    b = addin.add_parser("build", help="build STAC.xlam from workbook/ and the pinned xlwings")
    b.add_argument("--out", default="dist", metavar="DIR", help="output folder (default ./dist)")
    b.add_argument("--interpreter", help=r"python.exe the add-in runs (default %%LOCALAPPDATA%%\stac_xl\venv\Scripts\python.exe)")
    b.add_argument("--sources", metavar="DIR", help="folder with customUI.xml and STAC.bas (default: the checkout's workbook/)")
    b.set_defaults(func=_cmd_addin_build)

    p = sub.add_parser("login", help="store ServiceTrade credentials in the system credential store")
    p.add_argument("--username", help="ServiceTrade username (asked if omitted)")
    p.add_argument("--base-url", help="the address to sign in to (default: ServiceTrade's own)")
    p.set_defaults(func=_cmd_login)

    p = sub.add_parser("logout", help="remove the stored ServiceTrade credentials")
    p.add_argument("--base-url", help="the address whose sign-in to remove (default: ServiceTrade's own)")
    p.set_defaults(func=_cmd_logout)

    p = sub.add_parser("sandbox", help="serve a local stand-in for the ServiceTrade API (for demos and tests)")
    p.add_argument("--port", type=_port, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    p.add_argument("--invoices", type=_whole_number, default=500, help="number of generated invoices (default 500)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the generated data (default 1)")
    p.add_argument("--latency-ms", type=int, default=0, help="delay added to every response")
    p.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 503 (0-1)")
    p.add_argument("--rate-limit-every", type=int, default=0, metavar="K", help="every K-th request gets 429")
    p.add_argument("--retry-after", type=int, default=1, metavar="S", help="Retry-After seconds sent with 429")
    p.add_argument("--expire-session-every", type=int, default=0, metavar="K", help="every K-th request finds its session expired (401)")
    p.add_argument("--malformed-rate", type=float, default=0.0, help="share of responses with a broken JSON body (0-1)")
    p.add_argument("--items-in-list", action=argparse.BooleanOptionalAction, default=True, help="whether the invoice list carries the lines (default yes)")
    p.add_argument("--claim-total-pages", type=int, default=0, metavar="N", help="invoice listings say they have N pages (0 = the truth)")
    p.add_argument("--never-answer", action="store_true", help="requests outside /auth get no answer at all")
    p.add_argument("--silent-after-headers", action="store_true", help="requests outside /auth get headers, then silence")
    p.add_argument("--redirect-auth-to", default="", metavar="URL", help="POST /auth answers 307 to URL")
    p.add_argument("--grow-between-pages", type=int, default=0, metavar="K", help="the invoice listing gains one invoice near its top before each of K later page requests")
    p.add_argument("--shrink-between-pages", type=int, default=0, metavar="K", help="the invoice listing loses its first invoice before each of K later page requests")
    p.set_defaults(func=_cmd_sandbox)

    p = sub.add_parser("demo", help="run the whole job against the built-in sandbox")
    p.add_argument("--out", default="stac-demo", help="folder for the demo workbook and files (default ./stac-demo)")
    p.add_argument("--invoices", type=_whole_number, default=300, help="invoices the sandbox generates (default 300)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.set_defaults(func=_cmd_demo)

    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Entry point of the ``stac-xl`` console script.

    ``clock`` is what talking to ServiceTrade waits on (retries, deadlines): the computer's
    clock unless a test passes a ``VirtualClock`` so it does not sit through back-off.
    """
    args = build_parser().parse_args(argv)
    args.clock = clock
    command: Command = args.func
    try:
        return command(args)
    except ValidationFailed as exc:
        print(f"stac-xl: {exc}", file=sys.stderr)
        for line in exc.problems:
            print(f"  {line}", file=sys.stderr)
        return exc.exit_code
    except StacError as exc:
        # Several wrong rules come as one line each: the first is the message, the rest indented.
        first, *more = str(exc).splitlines() or [""]
        print(f"stac-xl: {first}", file=sys.stderr)
        for line in more:
            print(f"  {line}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # The last guard for the machine's state (a disk full, a folder vanished mid-run): the
        # actions translate what they expect, this keeps anything else to one sentence too.
        what = exc.filename or "a file or folder"
        print(f"stac-xl: {what} could not be used ({exc.strerror or exc}); check it and try again.", file=sys.stderr)
        return EXIT_MACHINE
    except KeyboardInterrupt:
        print("stac-xl: stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
