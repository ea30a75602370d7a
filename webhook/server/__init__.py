"""The HTTP edge: the Flask app, its routes, TLS and metrics, served by gunicorn."""
