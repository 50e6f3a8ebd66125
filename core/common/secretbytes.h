#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstddef>

namespace rd {

// Bytes in sodium_malloc'd memory: guarded, kept out of swap, wiped on release. Move-only.
// Every secret the operator types or the vault opens (master and export passwords, passphrases,
// private keys) travels as one of these; functions that only read a secret take a QByteArrayView.
class SecretBytes
{
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size);
    explicit SecretBytes(QByteArrayView bytes);
    ~SecretBytes();
    SecretBytes(SecretBytes &&other) noexcept;
    SecretBytes &operator=(SecretBytes &&other) noexcept;
    SecretBytes(const SecretBytes &) = delete;
    SecretBytes &operator=(const SecretBytes &) = delete;

    unsigned char *data() { return m_data; }
    const unsigned char *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    QByteArrayView view() const { return QByteArrayView(m_data, qsizetype(m_size)); }
    // The bytes as a QByteArray without a copy (raw data, no terminator), for APIs that only read one.
    // Valid while this lives; never modify it (that would detach an unwiped copy).
    QByteArray rawByteArray() const;
    // Moves `bytes` in and wipes the source, when it held the only reference to its buffer.
    static SecretBytes take(QByteArray &&bytes);
    // The UTF-8 of text typed in a field; the intermediate copy is wiped.
    static SecretBytes fromText(const QString &text);
    // Constant-time comparison, for checking secrets without leaking where they differ.
    bool equals(QByteArrayView other) const;
    void clear();

    // Initialises libsodium for the process (once, thread-safe); false when the library cannot
    // run on this machine. Every user of libsodium calls this first.
    static bool sodiumReady();

private:
    unsigned char *m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace rd
