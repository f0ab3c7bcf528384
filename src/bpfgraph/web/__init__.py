"""The HTTP service: a FastAPI app whose routers only wire requests to plain functions."""
