"""The chapters' kernels talk to the build over encrypted sockets, so their log stays quiet.

ipykernel 7 warns once per kernel start ("[IPKernelApp] WARNING | Kernel is running over TCP
without encryption ...", ipykernel/kernelapp.py ``init_sockets``) unless the kernel manager
gives it CurveZMQ keys. jupyter_client 8.10 does that when ``KernelManager.transport_encryption``
is ``"auto"`` and the kernel spec declares ``supported_encryption: [curve]`` (ipykernel's
does); its default is ``"disabled"``. MyST-NB and jupyter-cache create their kernel managers
without a way to pass that setting, so it is made the default of every kernel manager of
this process: when Sphinx loads this extension (plain ``jupyter-book build .``), and in
tools/build_book.py's execution workers. A pyzmq without CurveZMQ keeps the old default.
"""

from __future__ import annotations


def encrypt_kernel_transport() -> bool:
    """Kernel managers created from now on provision CurveZMQ keys; False if pyzmq lacks Curve."""
    import zmq
    from jupyter_client.manager import KernelManager

    if not zmq.has("curve"):
        return False
    KernelManager.class_traits()["transport_encryption"].default_value = "auto"
    return True


def setup(app):
    encrypt_kernel_transport()
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
