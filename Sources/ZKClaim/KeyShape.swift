import Foundation

// The key structure a value's Encodable conformance writes, without writing any JSON: what the strict claim decoder
// compares a file's keys against. It runs the same `encode(to:)` code as JSONEncoder (so a nil optional is left out
// exactly as JSONEncoder leaves it out), but records only objects, their keys and arrays.

/// A node of an encoded value's shape: a scalar (or null) when both `keys` and `items` are nil, an object (`keys`)
/// or an array (`items`). Scalars are one shared node that is never mutated.
final class KeyShape: @unchecked Sendable {
    var keys: [String: KeyShape]?
    var items: [KeyShape]?

    static let scalar = KeyShape()
    var isScalar: Bool { keys == nil && items == nil }

    /// The shape `value` encodes to.
    static func of<T: Encodable>(_ value: T) throws -> KeyShape {
        let root = KeyShape()
        try value.encode(to: KeyShapeEncoder(slot: .root(root), codingPath: []))
        return root
    }
}

/// Where an encoder's value goes: the root node, a key of an object node or an index of an array node. Every slot
/// starts as the shared scalar; a container request replaces it with a node of its own (once).
private enum ShapeSlot {
    case root(KeyShape)
    case key(KeyShape, String)
    case index(KeyShape, Int)

    /// The node in this slot, made an object (`object`) or an array.
    func node(object: Bool) -> KeyShape {
        let current: KeyShape
        switch self {
        case .root(let n): current = n
        case .key(let parent, let k): current = parent.keys![k]!
        case .index(let parent, let i): current = parent.items![i]
        }
        let node = current === KeyShape.scalar ? KeyShape() : current
        if object { if node.keys == nil { node.keys = [:]; node.items = nil } } else if node.items == nil { node.items = []; node.keys = nil }
        switch self {
        case .root: break
        case .key(let parent, let k): parent.keys![k] = node
        case .index(let parent, let i): parent.items![i] = node
        }
        return node
    }
}

private struct KeyShapeEncoder: Encoder {
    let slot: ShapeSlot
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedShapeContainer<Key>(node: slot.node(object: true), codingPath: codingPath))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedShapeContainer(node: slot.node(object: false), codingPath: codingPath)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { SingleShapeContainer(slot: slot, codingPath: codingPath) }
}

private struct KeyedShapeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: KeyShape
    var codingPath: [any CodingKey]
    func slot(_ key: String) -> ShapeSlot {
        node.keys![key] = KeyShape.scalar
        return .key(node, key)
    }
    mutating func encodeNil(forKey key: Key) throws { _ = slot(key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws { _ = slot(key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws { _ = slot(key.stringValue) }
    mutating func encode(_ value: Int, forKey key: Key) throws { _ = slot(key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { _ = slot(key.stringValue) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: KeyShapeEncoder(slot: slot(key.stringValue), codingPath: codingPath + [key]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedShapeContainer<NestedKey>(node: slot(key.stringValue).node(object: true), codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedShapeContainer(node: slot(key.stringValue).node(object: false), codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { KeyShapeEncoder(slot: slot("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { KeyShapeEncoder(slot: slot(key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedShapeContainer: UnkeyedEncodingContainer {
    let node: KeyShape
    var codingPath: [any CodingKey]
    var count: Int { node.items?.count ?? 0 }
    func slot() -> ShapeSlot {
        node.items!.append(KeyShape.scalar)
        return .index(node, node.items!.count - 1)
    }
    mutating func encodeNil() throws { _ = slot() }
    mutating func encode(_ value: String) throws { _ = slot() }
    mutating func encode(_ value: Double) throws { _ = slot() }
    mutating func encode(_ value: Int) throws { _ = slot() }
    mutating func encode(_ value: Bool) throws { _ = slot() }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(slot: slot(), codingPath: codingPath))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedShapeContainer<NestedKey>(node: slot().node(object: true), codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedShapeContainer(node: slot().node(object: false), codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { KeyShapeEncoder(slot: slot(), codingPath: codingPath) }
}

private struct SingleShapeContainer: SingleValueEncodingContainer {
    let slot: ShapeSlot
    var codingPath: [any CodingKey]
    mutating func encodeNil() throws {}
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(slot: slot, codingPath: codingPath))
    }
    // Scalars: the slot keeps the shared scalar node.
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

/// The shape of a JSON text (objects' keys, arrays' elements; scalars unread), from one pass over its bytes — what
/// the strict claim decoder compares against ``KeyShape/of(_:)`` of the decoded claim, without building a Foundation
/// object tree. Run only on text JSONDecoder has accepted; anything it cannot follow (or a key given twice, which
/// zkinfer never writes) is an error, so it fails closed.
enum JSONShapeScanner {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func shape(of data: Data) throws -> KeyShape {
        try data.withUnsafeBytes { bytes in
            var scanner = Scanner(bytes: bytes)
            let root = try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.index == bytes.count else { throw Failure(description: "trailing bytes after the JSON value") }
            return root
        }
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        func peek() throws -> UInt8 {
            guard index < bytes.count else { throw Failure(description: "unexpected end of the JSON text") }
            return bytes[index]
        }

        mutating func expect(_ byte: UInt8) throws {
            guard try peek() == byte else { throw Failure(description: "unexpected byte at offset \(index)") }
            index += 1
        }

        mutating func value(depth: Int) throws -> KeyShape {
            guard depth < 256 else { throw Failure(description: "JSON nested too deeply") }
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: "{"):
                index += 1
                let node = KeyShape()
                node.keys = [:]
                skipWhitespace()
                if try peek() == UInt8(ascii: "}") { index += 1; return node }
                while true {
                    skipWhitespace()
                    let key = try string()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    let child = try value(depth: depth + 1)
                    guard node.keys![key] == nil else { throw Failure(description: "key '\(key)' appears twice") }
                    node.keys![key] = child
                    skipWhitespace()
                    let next = try peek()
                    index += 1
                    if next == UInt8(ascii: "}") { return node }
                    guard next == UInt8(ascii: ",") else { throw Failure(description: "unexpected byte at offset \(index - 1)") }
                }
            case UInt8(ascii: "["):
                index += 1
                let node = KeyShape()
                node.items = []
                skipWhitespace()
                if try peek() == UInt8(ascii: "]") { index += 1; return node }
                while true {
                    node.items!.append(try value(depth: depth + 1))
                    skipWhitespace()
                    let next = try peek()
                    index += 1
                    if next == UInt8(ascii: "]") { return node }
                    guard next == UInt8(ascii: ",") else { throw Failure(description: "unexpected byte at offset \(index - 1)") }
                }
            case UInt8(ascii: "\""):
                _ = try string()
                return KeyShape.scalar
            default:
                // A number or literal: up to the next delimiter.
                let start = index
                while index < bytes.count {
                    let b = bytes[index]
                    if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
                    index += 1
                }
                guard index > start else { throw Failure(description: "unexpected byte at offset \(index)") }
                return KeyShape.scalar
            }
        }

        /// A string; escapes are resolved by JSONDecoder (rare in claims: zkinfer writes none in keys).
        mutating func string() throws -> String {
            let start = index
            try expect(UInt8(ascii: "\""))
            var escaped = false
            while true {
                let b = try peek()
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") { escaped = true; index += 2 } else { index += 1 }
            }
            index += 1
            if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)]), as: UTF8.self) }
            let literal = Data(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            guard let s = try? JSONDecoder().decode(String.self, from: literal) else { throw Failure(description: "invalid string at offset \(start)") }
            return s
        }
    }
}
