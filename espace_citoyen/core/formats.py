"""French display of sizes: one format everywhere in the citizen space ("27 Ko sur 200 Mo").

Units of 1,024 (as the vault's limits are set: 200 Mo = 200 × 1,024 × 1,024 octets), named as
French users know them (octets, Ko, Mo, Go), a decimal comma, and no decimal where it adds
nothing: whole kilo-octets, one decimal below 10 Mo or 10 Go ("1,5 Mo"), whole above."""

__all__ = ["format_size"]

_UNITS = (("Go", 1024 ** 3), ("Mo", 1024 ** 2), ("Ko", 1024))


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".replace(".", ",")
    return text.removesuffix(",0") if decimals else text


def format_size(size: int | None) -> str:
    """ "0 octet", "512 octets", "27 Ko", "1,5 Mo", "200 Mo", "2,1 Go"."""
    size = max(0, int(size or 0))
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    for index, (unit, factor) in enumerate(_UNITS):
        if size < factor and unit != "Ko":
            continue
        value = size / factor
        if unit != "Ko" and value < 10:
            return f"{_number(value, 1)} {unit}"
        rounded = round(value)
        if rounded >= 1024 and index > 0:  # 1 023,8 Ko reads "1 Mo"
            return f"1 {_UNITS[index - 1][0]}"
        return f"{rounded} {unit}"
    return f"{size} octets"  # not reached
