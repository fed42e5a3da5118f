/// Placeholder (being written).
public enum ZKGroth16Module {}
