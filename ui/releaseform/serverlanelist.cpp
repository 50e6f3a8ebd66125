#include "serverlanelist.h"

#include <QDropEvent>

namespace rd {

ServerLaneList::ServerLaneList(const QString &objectName, QWidget *parent) : QListWidget(parent)
{
    setObjectName(objectName);
    setDragDropMode(QAbstractItemView::DragDrop);
    // Copy, not move: this list takes the servers out of the partner itself, so the source never
    // removes rows it no longer has.
    setDefaultDropAction(Qt::CopyAction);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setMinimumHeight(110);
}

QStringList ServerLaneList::names() const
{
    QStringList names;
    for (int i = 0; i < count(); ++i)
        names.append(item(i)->text());
    return names;
}

void ServerLaneList::removeNames(const QStringList &names)
{
    for (int i = count() - 1; i >= 0; --i)
        if (names.contains(item(i)->text()))
            delete takeItem(i);
}

void ServerLaneList::dropEvent(QDropEvent *event)
{
    // Order within a lane carries no meaning: only drops from the partner lane are taken.
    if (event->source() == this || !m_partner) {
        event->ignore();
        return;
    }
    const QStringList before = names();
    event->setDropAction(Qt::CopyAction);
    QListWidget::dropEvent(event);
    QStringList arrived;
    for (const QString &name : names())
        if (!before.contains(name))
            arrived.append(name);
    // A server dropped twice stays once.
    for (int i = count() - 1; i >= 0; --i)
        if (names().count(item(i)->text()) > 1)
            delete takeItem(i);
    m_partner->removeNames(arrived);
    emit serversMoved();
}

} // namespace rd
