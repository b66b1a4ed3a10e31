"""tallykit's command line."""

import os

# numpy's OpenBLAS starts a thread per core that spins for a while after each call: measured, 5 % of a batch scan's
# CPU went to those threads (in the recording process and in every reader), taken from the readers. This kit's
# matrices are 3 x 3 homographies and fingerprint vectors: one thread is all they need. Set before numpy is imported;
# the scan's reader processes inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
