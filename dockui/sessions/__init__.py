"""Long-lived engine sessions behind screens: log feeds and exec/attach terminals (own threads)."""
