#include "pipelinelanerowitem.h"
#include "pipeline/pipelinenodeitem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace rd {

PipelineLaneRowItem::PipelineLaneRowItem(const std::array<PipelineNodeItem *, 5> &nodes, QGraphicsItem *parent)
    : QGraphicsItem(parent), m_nodes(nodes)
{
    setAcceptedMouseButtons(Qt::NoButton);
    m_text.setTextFormat(Qt::PlainText);
    m_badge.setTextFormat(Qt::PlainText);
}

void PipelineLaneRowItem::setLabel(const QString &text, const QString &badge, qreal labelWidth, const QSizeF &size,
                                   const QFont &sceneFont)
{
    // Relayouts call this for every row: only a change is worth laying the text out again.
    if (text == m_source && badge == m_sourceBadge && labelWidth == m_labelWidth && size == m_size &&
        sceneFont == m_sceneFont)
        return;
    m_source = text;
    m_sourceBadge = badge;
    m_labelWidth = labelWidth;
    m_sceneFont = sceneFont;
    prepareGeometryChange();
    m_size = size;
    m_font = sceneFont;
    m_font.setPointSizeF(sceneFont.pointSizeF() * 0.9);
    m_badgeFont = m_font;
    m_badgeFont.setBold(true);
    m_badgeFont.setPointSizeF(m_font.pointSizeF() * 0.85);
    qreal room = labelWidth;
    m_badgeRect = QRectF();
    if (!badge.isEmpty()) {
        const QFontMetricsF metrics(m_badgeFont);
        const qreal height = qMin(size.height() - 2, metrics.height() + 2);
        const qreal width = metrics.horizontalAdvance(badge) + 10;
        m_badgeRect = QRectF(labelWidth - width, (size.height() - height) / 2, width, height);
        m_badge.setText(badge);
        m_badge.prepare(QTransform(), m_badgeFont);
        room = m_badgeRect.left() - 6;
    }
    m_text.setText(QFontMetricsF(m_font).elidedText(text, Qt::ElideRight, room));
    m_text.prepare(QTransform(), m_font);
    setToolTip(text);
    update();
}

PipelineNodeItem *PipelineLaneRowItem::nodeAt(const QPointF &scenePos) const
{
    for (PipelineNodeItem *node : m_nodes) {
        if (node->sceneBoundingRect().contains(scenePos))
            return node;
    }
    return nullptr;
}

QRectF PipelineLaneRowItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size);
}

void PipelineLaneRowItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    for (const PipelineNodeItem *node : m_nodes)
        node->paintCell(painter, QRectF(node->pos() - pos(), node->boundingRect().size()));
    if (QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform()) <
        PipelineNodeItem::MinTextDetail)
        return;
    painter->setFont(m_font);
    painter->setPen(QColor(0x3a, 0x42, 0x4e));
    painter->drawStaticText(QPointF(0, (m_size.height() - QFontMetricsF(m_font).height()) / 2), m_text);
    if (m_badgeRect.isValid()) {
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xf2, 0xa1, 0x1f));
        painter->drawRoundedRect(m_badgeRect, m_badgeRect.height() / 2, m_badgeRect.height() / 2);
        painter->setFont(m_badgeFont);
        painter->setPen(Qt::white);
        const QSizeF text = m_badge.size();
        painter->drawStaticText(m_badgeRect.center() - QPointF(text.width() / 2, text.height() / 2), m_badge);
    }
}

} // namespace rd
