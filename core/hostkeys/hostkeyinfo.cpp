#include "hostkeyinfo.h"

#include <QCryptographicHash>

namespace rd {

QString HostKeyInfo::fingerprintOf(const QByteArray &blob)
{
    const QByteArray digest = QCryptographicHash::hash(blob, QCryptographicHash::Sha256);
    return QStringLiteral("SHA256:")
           + QString::fromLatin1(digest.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals));
}

} // namespace rd
