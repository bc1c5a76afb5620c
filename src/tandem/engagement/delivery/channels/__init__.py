"""Delivery channels behind one port (:class:`~.base.Channel`): in-app, e-mail over SMTP, and later WeCom."""
