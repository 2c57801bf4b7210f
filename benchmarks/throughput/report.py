"""Format the measured cells as the summary and detail tables."""

from __future__ import annotations

from throughput import FIXED, OPERATION_TITLES, OPERATIONS
from throughput.load import Cell


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) if rows else len(header[i])
              for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def report(cells: list[Cell]) -> str:
    by_key = {(c.server, c.operation, c.connections): c for c in cells}
    connections = sorted({c.connections for c in cells})
    out = []

    rows = []
    for operation in OPERATIONS:
        for n in connections:
            ls = by_key.get(("localshift", operation, n))
            moto = by_key.get(("moto", "snapshots" if operation == "snapshots-all" else operation, n))
            if ls is None and moto is None:
                continue
            if operation == "snapshots-all":
                ls_rate = ls.listings_per_s if ls else None
                ls_p50, ls_p99 = (ls.listing_p50_ms, ls.listing_p99_ms) if ls else (None, None)
                unit = "listings/s"
            else:
                ls_rate = ls.requests_per_s if ls else None
                ls_p50, ls_p99 = (ls.p50_ms, ls.p99_ms) if ls else (None, None)
                unit = "req/s"
            moto_rate = moto.requests_per_s if moto else None
            ratio = (ls_rate / moto_rate) if ls_rate and moto_rate else None
            ceiling = by_key.get(("ceiling", FIXED, n))
            share = (ls_rate / ceiling.requests_per_s) if ls_rate and ceiling and unit == "req/s" else None
            rows.append([
                OPERATION_TITLES[operation], str(n), unit,
                _fmt(ls_rate), _fmt(ls_p50, 2), _fmt(ls_p99, 2),
                _fmt(moto_rate), _fmt(moto.p50_ms if moto else None, 2), _fmt(moto.p99_ms if moto else None, 2),
                f"{ratio:.1f}x" if ratio else "-",
                f"{share * 100:.0f}%" if share else "-",
            ])
    for c in cells:
        if c.operation == FIXED:
            rows.append([f"{OPERATION_TITLES[FIXED]}: {c.server}", str(c.connections), "req/s",
                         _fmt(c.requests_per_s), _fmt(c.p50_ms, 2), _fmt(c.p99_ms, 2), "-", "-", "-", "-", "-"])
    out.append(_table(
        ["request", "conns", "unit", "localshift", "p50 ms", "p99 ms", "moto", "p50 ms", "p99 ms",
         "localshift/moto", "of ceiling"],
        rows,
    ))
    out.append("")
    detail = []
    for c in cells:
        items = [i for i in c.items_per_response if i >= 0]
        detail.append([
            c.server, c.operation, str(c.connections), str(c.requests), _fmt(c.requests_per_s),
            str(sum(items)) if c.pages_per_listing > 1 else (str(items[0]) if items else "-"),
            _fmt(c.bytes_per_response / 1024, 1), str(c.connects),
            ",".join(f"{k}:{v}" for k, v in c.errors.items()) or "0",
            _fmt(c.server_cpu_ms_per_request, 2),
            f"{c.server_cpu_util * 100:.0f}%" if c.server_cpu_util is not None else "-",
            _fmt(c.client_cpu_ms_per_request, 2), f"{c.client_cpu_util * 100:.0f}%",
            f"{c.other_cpu_util * 100:.0f}%" if c.other_cpu_util is not None else "-",
        ])
    out.append(_table(
        ["server", "request", "conns", "requests", "req/s", "items", "KiB/resp", "connects", "errors",
         "server CPU ms/req", "server CPU", "client CPU ms/req", "client CPU", "other CPU"],
        detail,
    ))
    out.append("")
    out.append("other CPU: machine-wide busy time less the server's and the clients' own, in % of one core "
               "(other processes, and kernel work not charged to a process such as loopback TCP).")
    busy = [c for c in cells if c.other_cpu_util is not None and c.other_cpu_util > 0.5]
    if busy:
        out.append(f"warning: 'other CPU' exceeded half a core during {len(busy)} of {len(cells)} cells: something "
                   "else was competing for the cores, and those figures are lower than on a quiet machine.")
    return "\n".join(out)
