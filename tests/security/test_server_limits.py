"""The server `make run` starts refuses a body past the platform's limit from its declared length,
before reading it (security finding 15: waitress used to buffer a 55 MB POST whole before the 413)."""
import socket
import threading

from waitress.server import create_server

from platform.server import waitress_options


def test_waitress_answers_413_from_the_declared_length_without_waiting_for_the_body(app):
    server = create_server(app, host="127.0.0.1", port=0, **waitress_options(app.config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        size = app.config["MAX_CONTENT_LENGTH"] + 5 * 1024 * 1024
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as conn:
            conn.sendall(f"POST /audits/rounds/1/report HTTP/1.1\r\nHost: localhost\r\nContent-Length: {size}\r\n"
                         "Content-Type: multipart/form-data; boundary=x\r\n\r\n".encode())
            conn.sendall(b"x" * 65536)  # a little of the body, then nothing more: no waiting for the rest
            answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413")
    finally:
        server.close()
