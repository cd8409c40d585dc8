# The trivial "single-user server" of the start/stop bench: listen on the port of
# JUPYTERHUB_SERVICE_URL (http://IP:PORT/...) and accept connections until SIGTERM.
import os
import socket

url = os.environ["JUPYTERHUB_SERVICE_URL"]
host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host.strip("[]"), int(port)))
server.listen(64)
while True:
    connection, _ = server.accept()
    connection.close()
