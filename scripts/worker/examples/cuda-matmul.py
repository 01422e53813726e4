#!/usr/bin/env python3
"""A sample `command` program for the Latent worker: one n x n matrix product on the job's first GPU.

A provider can adapt it (see the worker README, "The command executor"). The worker runs it with the job's spec
document in the file $LATENT_SPEC_PATH and the job's GPUs in CUDA_VISIBLE_DEVICES; whatever it prints on stdout is the
job's result. The spec's params.input is JSON text:

    {"version":1,"kind":"command","params":{"input":"{\"n\":4096,\"seed\":1}"}}

n: 1..16384 (the matrices' size); seed: an integer 0..2**63-1 (default 0) for the generator of A and B.

A and B hold integers in -8..8, drawn on the CPU from torch.manual_seed(seed), so they are the same on every machine;
each entry of C = A.B is then at most 64 n in magnitude, below 2**24, so float32 holds it exactly (TF32 is turned off)
and the checksum, the sum of C's entries, is the same integer on every GPU: a client can recompute it.

Prints one JSON line: {"device": <GPU name>, "cudaVisibleDevices": <as seen, or null>, "n": n, "seed": seed,
"checksum": <sum of C, an integer>, "ms": <the product's time on the GPU, milliseconds>}.

Exit status: 0 after a product; 1 for a spec it cannot read; 2 without PyTorch or without a visible CUDA device, with
one line on stderr naming what is missing.
"""

import json
import os
import sys

MAX_N = 16384


def fail(status, message):
    sys.stderr.write(f"cuda-matmul: {message}\n")
    sys.exit(status)


def read_params():
    path = os.environ.get("LATENT_SPEC_PATH")
    if not path:
        fail(1, "LATENT_SPEC_PATH is not set (the worker sets it to the job's spec document)")
    try:
        with open(path, "rb") as spec_file:
            spec = json.load(spec_file)
        params = json.loads(spec["params"]["input"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(1, f"cannot read params.input of {path} as JSON: {error}")
    if not isinstance(params, dict):
        fail(1, 'params.input must be a JSON object such as {"n":4096,"seed":1}')
    n = params.get("n")
    seed = params.get("seed", 0)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_N:
        fail(1, f"params.input.n must be an integer 1..{MAX_N}, got {json.dumps(n)}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        fail(1, f"params.input.seed must be an integer 0..2**63-1, got {json.dumps(seed)}")
    return n, seed


def main():
    # The spec first: a bad one is the client's to fix, whatever this machine has.
    n, seed = read_params()
    try:
        import torch
    except ImportError:
        fail(2, "PyTorch is not installed (no module named torch): pip install torch")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if not torch.cuda.is_available() or torch.cuda.device_count() < 1:
        fail(2, f"no CUDA device is visible (CUDA_VISIBLE_DEVICES={visible if visible is not None else 'unset'})")

    torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.device("cuda", 0)
    generator = torch.Generator().manual_seed(seed)
    a = torch.randint(-8, 9, (n, n), generator=generator, dtype=torch.int32).to(device=device, dtype=torch.float32)
    b = torch.randint(-8, 9, (n, n), generator=generator, dtype=torch.int32).to(device=device, dtype=torch.float32)

    torch.matmul(a, b)  # warm-up: kernel selection and the library's start are not the product's time
    torch.cuda.synchronize(device)
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    c = torch.matmul(a, b)
    end.record()
    torch.cuda.synchronize(device)

    result = {
        "device": torch.cuda.get_device_name(device),
        "cudaVisibleDevices": visible,
        "n": n,
        "seed": seed,
        # float64 holds every partial sum exactly: |sum| <= 64 n**3 < 2**53.
        "checksum": int(c.sum(dtype=torch.float64).item()),
        "ms": round(start.elapsed_time(end), 3),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
