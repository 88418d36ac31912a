"""``attrib serve``: a page where you paste a text and watch the model decide, and its JSON API.

:mod:`attrib.web.service` answers (no web framework); :mod:`attrib.web.app` is the web app on
Starlette and uvicorn (the ``serve`` extra).
"""
