/// Placeholder (being written).
public enum ZKConstraintsModule {}
