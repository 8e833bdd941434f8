"""数据交换: site identity and trust, the package file, export, import and the per-field merge. No Qt."""
