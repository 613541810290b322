"""The web server `make run` starts: waitress, told the platform's own limits.

waitress reads a request's whole body into a buffer before it calls the application, so the
application's MAX_CONTENT_LENGTH alone would refuse a 55 MB upload only after waitress had read
all of it. Told the same limit (plus room for the form around a file), waitress answers 413 from
the declared length, and stops reading a chunked body at the limit.
"""
import argparse

FORM_ROOM = 1024 * 1024


def waitress_options(config) -> dict:
    return {"threads": 8, "max_request_body_size": config["MAX_CONTENT_LENGTH"] + FORM_ROOM}


def run(app, argv=None) -> None:
    from waitress import serve

    parser = argparse.ArgumentParser(description="广西清洁生产信息平台 (waitress)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    serve(app, host=args.host, port=args.port, **waitress_options(app.config))
