#pragma once

#include "common/secretbytes.h"

#include <QString>

#include <functional>
#include <optional>

namespace rd {

// Answers one keyboard-interactive prompt (e.g. a password or an OTP); nullopt gives up.
using KeyboardInteractiveResponder =
    std::function<std::optional<QByteArray>(const QString &instruction, const QString &prompt, bool echo)>;

// Everything a worker needs to reach one server. Secrets come opened from the vault, in wiped memory,
// and are never written to disk.
struct SshTarget
{
    QString name; // display name, for messages
    QString host;
    int port = 22;
    QString username;
    bool useAgent = false;
    SecretBytes privateKey; // a vault key, in memory
    SecretBytes passphrase;
    QString keyPath;        // a key file
    KeyboardInteractiveResponder keyboardInteractive;
    int connectTimeoutMs = 10000;
    int keepaliveSeconds = 30;
};

} // namespace rd
