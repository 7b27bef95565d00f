"""Sphinx extension: drop duplicate <script> entries from every HTML page.

With jupyter-book 1.0.4, sphinx-thebe registers its inline configuration script once per
``env-before-read-docs`` event, which fires twice in a book build; the page then declares
``const THEBE_JS_URL`` twice and the browser reports an uncaught SyntaxError on every page.
This extension keeps the first of any identical script entries (same file, same inline body;
a missing file name, ``None`` or ``""``, counts as one).
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # The same inline script may be registered with filename None and with "".
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
