#pragma once

#include <QByteArray>
#include <QString>

namespace rd {

enum class KeyKind { Stored, File, Agent };

QString keyKindName(KeyKind kind);
bool keyKindFromName(const QString &name, KeyKind *kind);

// A login identity. A stored key keeps its private key and passphrase only as vault blobs.
struct SshKey
{
    qint64 id = 0;
    QString name;
    QString username;
    KeyKind kind = KeyKind::Stored;
    QString publicKey;   // one OpenSSH line: "<type> <base64> [comment]"
    QString fingerprint; // "SHA256:..." of the public key
    QString keyPath;     // KeyKind::File only
    QByteArray sealedPrivateKey;
    QByteArray sealedPassphrase;
    bool enabled = true;

    bool hasPassphrase() const { return !sealedPassphrase.isEmpty(); }
};

} // namespace rd
