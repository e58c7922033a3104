"""Floor: a minimal Typer app with three sub-apps (`--help`, or one command that does nothing)."""

import typer

app = typer.Typer()
schools = typer.Typer()
visits = typer.Typer()
reports = typer.Typer()


@schools.command()
def show(name: str) -> None:
    """Show one school."""


@visits.command()
def record(school: str, checklist: str = "routine-monthly") -> None:
    """Record a visit."""


@reports.command()
def summary(date_from: str = "", date_to: str = "") -> None:
    """A summary."""


app.add_typer(schools, name="school", help="Schools")
app.add_typer(visits, name="visit", help="Visits")
app.add_typer(reports, name="report", help="Reports")

if __name__ == "__main__":
    app()
