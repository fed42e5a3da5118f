/// Placeholder (being written).
public enum ZKCircuitModule {}
