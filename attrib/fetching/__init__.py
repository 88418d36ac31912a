"""Collecting a corpus from the web (``attrib corpus fetch``): a polite HTTP client, the
listings of articles (feeds, sitemaps, URL files), and the collecting run. Needs the ``fetch``
extra."""
