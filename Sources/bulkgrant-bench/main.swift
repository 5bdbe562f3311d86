print("bulkgrant-bench: not yet")
