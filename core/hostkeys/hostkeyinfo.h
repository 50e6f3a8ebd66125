#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace rd {

enum class HostKeyState { Known, Unknown, Changed, Revoked };
enum class HostKeyDecision { Reject, AcceptOnce, Remember };

// A server's host key as offered in the handshake, and what our known_hosts says about it.
struct HostKeyInfo
{
    QString host;
    int port = 22;
    QString type;        // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
    QByteArray blob;     // the key in SSH wire format
    QString fingerprint; // "SHA256:..." as OpenSSH prints it
    HostKeyState state = HostKeyState::Unknown;
    QString storedFingerprint; // for Changed: what known_hosts holds
    // For Unknown: a key of another type that known_hosts holds for this server ("type SHA256:…").
    // A client that asked for the known types first treats such an offer as Changed.
    QString otherKnownKey;

    static QString fingerprintOf(const QByteArray &blob);
};

// Asked from the worker thread on first contact; the GUI answers with a dialog, the CLI with a flag or prompt.
using HostKeyPrompt = std::function<HostKeyDecision(const HostKeyInfo &)>;

} // namespace rd
