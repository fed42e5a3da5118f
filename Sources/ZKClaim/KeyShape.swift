// The key structure a value's Encodable conformance writes, without writing any JSON: what the strict claim decoder
// compares a file's keys against. It runs the same `encode(to:)` code as JSONEncoder (so a nil optional is left out
// exactly as JSONEncoder leaves it out), but records only objects, their keys and arrays.

/// A node of an encoded value's shape: a scalar (or null) when both `keys` and `items` are nil, an object (`keys`)
/// or an array (`items`).
final class KeyShape {
    var keys: [String: KeyShape]?
    var items: [KeyShape]?

    /// The shape `value` encodes to.
    static func of<T: Encodable>(_ value: T) throws -> KeyShape {
        let root = KeyShape()
        try value.encode(to: KeyShapeEncoder(node: root, codingPath: []))
        return root
    }

    func child(forKey key: String) -> KeyShape {
        let node = KeyShape()
        becomeObject()
        keys![key] = node
        return node
    }

    func appendChild() -> KeyShape {
        let node = KeyShape()
        becomeArray()
        items!.append(node)
        return node
    }

    func becomeObject() { if keys == nil { keys = [:]; items = nil } }
    func becomeArray() { if items == nil { items = []; keys = nil } }
}

private struct KeyShapeEncoder: Encoder {
    let node: KeyShape
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(KeyedShapeContainer<Key>(node: node, codingPath: codingPath))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return UnkeyedShapeContainer(node: node, codingPath: codingPath)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { SingleShapeContainer(node: node, codingPath: codingPath) }
}

private struct KeyedShapeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: KeyShape
    var codingPath: [any CodingKey]
    mutating func encodeNil(forKey key: Key) throws { _ = node.child(forKey: key.stringValue) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: KeyShapeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.becomeObject()
        return KeyedEncodingContainer(KeyedShapeContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.becomeArray()
        return UnkeyedShapeContainer(node: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { KeyShapeEncoder(node: node.child(forKey: "super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { KeyShapeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedShapeContainer: UnkeyedEncodingContainer {
    let node: KeyShape
    var codingPath: [any CodingKey]
    var count: Int { node.items?.count ?? 0 }
    mutating func encodeNil() throws { _ = node.appendChild() }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(node: node.appendChild(), codingPath: codingPath))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendChild()
        child.becomeObject()
        return KeyedEncodingContainer(KeyedShapeContainer<NestedKey>(node: child, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendChild()
        child.becomeArray()
        return UnkeyedShapeContainer(node: child, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { KeyShapeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleShapeContainer: SingleValueEncodingContainer {
    let node: KeyShape
    var codingPath: [any CodingKey]
    mutating func encodeNil() throws {}
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(node: node, codingPath: codingPath))
    }
    // Scalars: the node stays a scalar.
    mutating func encode(_ value: Bool) throws {}
    mutating func encode(_ value: String) throws {}
    mutating func encode(_ value: Double) throws {}
    mutating func encode(_ value: Float) throws {}
    mutating func encode(_ value: Int) throws {}
    mutating func encode(_ value: Int8) throws {}
    mutating func encode(_ value: Int16) throws {}
    mutating func encode(_ value: Int32) throws {}
    mutating func encode(_ value: Int64) throws {}
    mutating func encode(_ value: UInt) throws {}
    mutating func encode(_ value: UInt8) throws {}
    mutating func encode(_ value: UInt16) throws {}
    mutating func encode(_ value: UInt32) throws {}
    mutating func encode(_ value: UInt64) throws {}
}
