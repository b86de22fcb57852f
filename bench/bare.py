"""The bare page: a trivial Flask app that renders one Jinja template, `gunicorn bench.bare:app`.

`GET /bare/<size>` answers an HTML page of exactly `size` bytes (UTF-8): the template
bench/templates/bare.html, a skeleton and a loop over rows of Russian text (escaped, as
autoescape does for the app), padded at the end. bench/run.py serves it under the same
gunicorn settings as the app and measures it beside each app page of the same size, so that
the ratio of their throughputs is what the app costs above Flask + Jinja + gunicorn. No
database, no session, no extensions: the floor a page of that size cannot go below.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, abort, render_template

MAX_SIZE = 5 * 1024 * 1024

TITLE = "Пустая страница"
ROW = "Обсуждение «Функциональная грамотность на уроках истории» — ответ коллеги & отзыв"


def create_app() -> Flask:
    # The template is a file, loaded and compiled once and cached, as the app's templates are.
    app = Flask(__name__, template_folder="templates")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    def render(rows: int, pad: int) -> str:
        return render_template("bare.html", title=TITLE, rows=[ROW] * rows, pad="x" * pad)

    @lru_cache(maxsize=64)
    def layout(size: int) -> tuple[int, int]:
        """(rows, padding) that make the page exactly `size` bytes, or the smallest page."""
        empty = len(render(0, 0).encode())
        per_row = len(render(1, 0).encode()) - empty
        rows, pad = divmod(max(size - empty, 0), per_row)
        return rows, pad

    @app.get("/bare/<int:size>")
    def page(size: int):
        if size > MAX_SIZE:
            abort(404)
        rows, pad = layout(size)
        return render(rows, pad)

    return app


app = create_app()
