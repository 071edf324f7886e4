"""Every submission the service receives, kept raw by sha256 before it is parsed (see ``service``)."""
