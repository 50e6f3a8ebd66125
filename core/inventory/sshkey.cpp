#include "sshkey.h"

namespace rd {

QString keyKindName(KeyKind kind)
{
    switch (kind) {
    case KeyKind::Stored:
        return QStringLiteral("stored");
    case KeyKind::File:
        return QStringLiteral("file");
    case KeyKind::Agent:
        return QStringLiteral("agent");
    }
    return {};
}

bool keyKindFromName(const QString &name, KeyKind *kind)
{
    for (KeyKind k : {KeyKind::Stored, KeyKind::File, KeyKind::Agent}) {
        if (keyKindName(k) == name) {
            *kind = k;
            return true;
        }
    }
    return false;
}

} // namespace rd
