#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <optional>

namespace rd {

// What a private key is, read from its text: type, public key and fingerprint as OpenSSH shows
// them. Holds nothing secret. The public part of an OpenSSH-format key is read without the
// passphrase; PEM and PKCS#8 keys are read through OpenSSL and need it when encrypted.
class KeyMaterial
{
    Q_DECLARE_TR_FUNCTIONS(KeyMaterial)

public:
    QString type;        // "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256" / "-nistp384" / "-nistp521"
    QString publicKey;   // one OpenSSH line: "<type> <base64>", with its comment when read from a .pub file
    QString fingerprint; // "SHA256:<base64 without padding>", as ssh-keygen -lf prints it
    bool encrypted = false;
    QString format; // "openssh", "pem" or "pkcs8"

    static Result<KeyMaterial> inspect(QByteArrayView privateKeyText, QByteArrayView passphrase = {});
    static Result<QString> fingerprintOfPublicKey(const QString &openSshLine);
    // Identifies a key file used in place: its ".pub" beside it as ssh-keygen leaves it, else the public
    // part of an OpenSSH-format private key. Nothing of the private key is kept.
    static std::optional<KeyMaterial> identifyKeyFile(const QString &privateKeyPath);
    // The fingerprint of an SSH public key blob (the wire encoding, as in the base64 field).
    static QString fingerprintOfBlob(const QByteArray &blob);
};

} // namespace rd
