"""The imitated platforms, a few modules each, one job per module: ``meta_*``, ``google_*``
(OAuth and the Data Manager API), ``google_ads*``, ``tiktok_*`` and ``snapchat``, with the
steps they share in ``common``. ``adscale_sandbox.main.MOUNTS`` mounts their routers in
matching order."""
