#include "paneheader.h"

#include <QLabel>
#include <QVBoxLayout>

namespace rd {

PaneHeader::PaneHeader(const QString &title, const QString &subtitle, QWidget *parent) : QWidget(parent)
{
    auto *header = new QLabel(title);
    header->setObjectName(QStringLiteral("paneHeaderLabel"));
    QFont headerFont = header->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.5);
    headerFont.setBold(true);
    header->setFont(headerFont);
    auto *sub = new QLabel(subtitle);
    sub->setWordWrap(true);
    sub->setStyleSheet(QStringLiteral("color: palette(mid);"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(header);
    layout->addWidget(sub);
}

} // namespace rd
