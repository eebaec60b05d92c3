"""The WebSocket gateway: the endpoint, one session per socket, one hub per room per worker."""
