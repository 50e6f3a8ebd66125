#include "secretbytes.h"

#include <sodium.h>

#include <cstring>
#include <mutex>
#include <new>
#include <utility>

namespace rd {

bool SecretBytes::sodiumReady()
{
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] { ready = sodium_init() >= 0; });
    return ready;
}

SecretBytes::SecretBytes(std::size_t size)
{
    if (size == 0)
        return;
    if (!sodiumReady())
        throw std::bad_alloc();
    // sodium_malloc surrounds the region with guard pages and already tries sodium_mlock on it;
    // where the memlock limit refuses, the bytes are still wiped on release.
    m_data = static_cast<unsigned char *>(sodium_malloc(size));
    if (!m_data)
        throw std::bad_alloc();
    m_size = size;
}

SecretBytes::SecretBytes(QByteArrayView bytes) : SecretBytes(std::size_t(bytes.size()))
{
    if (m_size)
        std::memcpy(m_data, bytes.data(), m_size);
}

SecretBytes::~SecretBytes()
{
    clear();
}

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0))
{
}

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

bool SecretBytes::equals(QByteArrayView other) const
{
    if (std::size_t(other.size()) != m_size)
        return false;
    return m_size == 0 || sodium_memcmp(m_data, other.data(), m_size) == 0;
}

QByteArray SecretBytes::rawByteArray() const
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(m_data), qsizetype(m_size));
}

SecretBytes SecretBytes::take(QByteArray &&bytes)
{
    SecretBytes secret(bytes);
    QByteArray owned = std::move(bytes);
    // A shared buffer belongs to someone else too: detaching here would wipe only a new copy.
    if (!owned.isDetached())
        return secret;
    sodium_memzero(owned.data(), std::size_t(owned.size()));
    return secret;
}

SecretBytes SecretBytes::fromText(const QString &text)
{
    return take(text.toUtf8());
}

void SecretBytes::clear()
{
    if (m_data) {
        // sodium_free wipes the region before unmapping it.
        sodium_memzero(m_data, m_size);
        sodium_free(m_data);
    }
    m_data = nullptr;
    m_size = 0;
}

} // namespace rd
