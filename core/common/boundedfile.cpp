#include "boundedfile.h"

#include <QFile>
#include <QLocale>

namespace rd {

Result<QByteArray> BoundedFile::read(const QString &path, qint64 maxBytes, const QString &what)
{
    const QString field = QStringLiteral("file");
    QFile file(path);
    if (!file.exists())
        return fail(tr("%1 %2 does not exist.").arg(what, path), tr("Check the path."), field);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read %1 %2: %3").arg(what, path, file.errorString()),
                    tr("Check its permissions."), field);
    // Reads up to one byte past the ceiling, in pieces: devices and pipes have no size to ask for
    // beforehand, and a small file should not cost a buffer of the ceiling's size.
    constexpr qint64 Piece = 1024 * 1024;
    QByteArray data;
    while (data.size() <= maxBytes) {
        const QByteArray piece = file.read(qMin(Piece, maxBytes + 1 - data.size()));
        if (piece.isEmpty())
            break;
        data += piece;
    }
    if (data.size() > maxBytes)
        return fail(tr("%1 %2 is larger than %3.")
                        .arg(what, path, QLocale().formattedDataSize(maxBytes, 0, QLocale::DataSizeSIFormat)),
                    tr("Check that this is the file you meant; an inventory of thousands of servers is "
                       "far smaller."),
                    field);
    if (file.error() != QFileDevice::NoError)
        return fail(tr("Could not read %1 %2: %3").arg(what, path, file.errorString()),
                    tr("Check its permissions."), field);
    return data;
}

} // namespace rd
