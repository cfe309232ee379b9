"""Loaded by Python at start-up when this folder is on PYTHONPATH: the LRS test starts Ralph so.

Ralph's file-system LRS backend (5.1) creates its statements file on the first write and refuses
every later one ("already exists and overwrite is not allowed"), so a second POST /statements
answers 500. The test needs many POSTs, so the backend appends instead. Validation, the xAPI
endpoints and duplicate-id checks are Ralph's own, unchanged.
"""

try:
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
except ImportError:
    pass
