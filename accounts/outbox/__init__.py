"""The outbox: every email waits here until the mail server has taken it.

``accounts.emails.send_templated_email`` renders a message and ``queue()``
(``delivery.py``) writes it as an ``OutgoingEmail`` row in the transaction of
the change that caused it; once that commits, a task (Django's Tasks API,
``tasks.py``) delivers it: at once with the immediate backend (development,
tests), from ``manage.py db_worker`` with the database backend (production).
"""
