"""imcosim from Python: pictures of its result files (imcosim.plot)."""
