#pragma once

#include "common/error.h"
#include "common/secretbytes.h"
#include "keymaterial.h"
#include "sshkey.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace rd {

class Vault;

// Turns a pasted private key into a stored SshKey: checks it, seals the private key and the
// passphrase in the vault, and fills in the public key and fingerprint. Shared by GUI and CLI.
class StoredKeyBuilder
{
    Q_DECLARE_TR_FUNCTIONS(StoredKeyBuilder)

public:
    // Purposes (associated data) of the sealed blobs: the columns they are stored in.
    static QByteArray privateKeyPurpose() { return QByteArrayLiteral("sealed_private_key"); }
    static QByteArray passphrasePurpose() { return QByteArrayLiteral("sealed_passphrase"); }

    // An encrypted key in OpenSSH format cannot be checked here (its KDF is bcrypt): it is
    // accepted, and its passphrase is verified at the first connection. A passphrase given for an
    // unencrypted key is not stored.
    static Result<SshKey> build(const Vault &vault, const QString &name, const QString &username,
                                QByteArrayView privateKeyText, QByteArrayView passphrase);

    // build() in two halves, for a caller that must not wait: check() reads the key and verifies
    // its passphrase (through ssh-keygen for an OpenSSH key: up to seconds) on any thread;
    // seal() stores what it accepted in the vault, on the store's thread.
    struct CheckedKey
    {
        SecretBytes text; // as ssh-keygen writes it: LF line ends, one final newline
        SecretBytes passphrase;
        KeyMaterial material;
    };
    static Result<CheckedKey> check(QByteArrayView privateKeyText, QByteArrayView passphrase);
    static Result<SshKey> seal(const Vault &vault, const QString &name, const QString &username,
                               const CheckedKey &checked);
};

} // namespace rd
