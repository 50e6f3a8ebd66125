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
    // Reads one byte past the ceiling: devices and pipes have no size to ask for beforehand.
    QByteArray data = file.read(maxBytes + 1);
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
