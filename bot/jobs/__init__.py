"""The job engine: queue, submit, track, deliver, settle (PRODUCT.md §4)."""
